count = 0
print("dividing")
print(1 / count)
