"""planpress: a city's plan and evaluation content, printed as PDF and Word."""

__version__ = "0.1.0"
