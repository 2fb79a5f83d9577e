"""Pure rules of the recovery tools (no I/O): day counts and milestones, the
early-warning rule, weekly meeting schedules, Meeting Guide JSON and iCalendar."""
