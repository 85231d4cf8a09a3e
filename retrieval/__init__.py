"""Frontline's retrieval library: articles in, cited and dated answers out. No Discord here.

Entry object: `retrieval.service.Frontline`; command line: `python -m retrieval`.
"""
