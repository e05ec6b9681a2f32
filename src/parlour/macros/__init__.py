"""Macros: saved replies with actions (status, tags, group), personal or shared."""
