"""The pure core: plain data in, decisions out. No I/O library is imported here."""
