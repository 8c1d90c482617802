"""The diagnostic (état des lieux): needs, assets, critical points and projects under way, each traced to the
consultations and stakeholders it came from."""
