"""Interactive and static maps, reports."""
