"""Who uses the dashboard and what they may do: roles, local accounts and their scrypt
password hashes, the three auth modes read from secrets (`accounts`), and the limits on
login attempts per account name and per client (`attempts`). Pure Python without
streamlit; it may import only `lib.core` (errors, labels); the layers above it that act
for a person (services, ui, cli) import it to check who may do what.
"""
