"""Thin listeners: ack, call a service, send what it returns. One file per listener."""
