"""Pure parsers: one module per tool format, file in, canonical DataFrame and rejected rows out."""
