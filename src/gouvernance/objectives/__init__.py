"""Objectives, their indicators and measurements, and the evaluation that sets one against the other."""
