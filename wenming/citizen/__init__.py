"""Citizen reports (随手拍): the public's reports of problems, routed into rectification."""
