"""Routers: a command's or a button's words -> a use case -> the replies to send."""
