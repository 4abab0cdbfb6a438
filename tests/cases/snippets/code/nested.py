--8<-- "snippets/code/greet.py:4:6"
WHO = "nested"
