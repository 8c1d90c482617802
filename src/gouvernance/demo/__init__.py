"""The demonstration: a realistic engagement walked through a whole journey, guards and rework included."""
