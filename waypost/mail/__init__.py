"""Mail: inboxes, the SMTP server, parsing, sanitising and stored emails."""
