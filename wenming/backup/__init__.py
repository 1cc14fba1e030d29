"""Backup and restore of a whole installation: database, stored files and the secret key."""
