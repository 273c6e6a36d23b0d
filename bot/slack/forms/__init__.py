"""Modals: building them, opening them after the ack, reading their submissions back."""
