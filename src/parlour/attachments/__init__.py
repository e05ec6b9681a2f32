"""Attachments: files and images uploaded by customers and staff, stored and served safely."""
