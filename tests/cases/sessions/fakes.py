fake = True
