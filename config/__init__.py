"""Frontline's configuration: the settings object and the place gazetteer (gazetteer.toml)."""
from config.settings import Settings, SettingsError, load_settings

__all__ = ["Settings", "SettingsError", "load_settings"]
