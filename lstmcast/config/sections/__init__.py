"""The experiment schema one section a module; config/schema.py holds the root model."""
