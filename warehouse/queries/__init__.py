"""The read side: SQL for lists and dashboards, returning plain rows."""
