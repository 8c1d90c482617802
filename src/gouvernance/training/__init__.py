"""Training of élus, agents and partners: the sessions of the plan de formation, their expected attendees and
who was present, and the review (bilan) drawn from them."""
