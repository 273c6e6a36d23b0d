"""Loading the SLO catalog: native budgetbot YAML, Sloth prometheus/v1 and OpenSLO v1 files."""

from bot.catalog.errors import CatalogError, Problem
from bot.catalog.loader import load_catalog

__all__ = ["CatalogError", "Problem", "load_catalog"]
