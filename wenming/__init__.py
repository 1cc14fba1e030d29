"""Wenming (文明创建测评平台): creation campaigns and their evaluation."""

__version__ = "0.1.0"
