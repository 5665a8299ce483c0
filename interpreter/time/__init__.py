"""Calendars, Civil Code periods, instants."""
