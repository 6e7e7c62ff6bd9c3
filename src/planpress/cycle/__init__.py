"""The yearly evaluation cycle: a new year's file, sheets out to departments, returned sheets in."""
