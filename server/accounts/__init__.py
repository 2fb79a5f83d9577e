"""Pure account rules: pseudonyms, passwords, tokens. No database here."""
