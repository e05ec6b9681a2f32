"""People: staff (admins, agents) with their groups, and end users (customers)."""
