"""Hyperquiz: a quiz platform built the hypermedia way (Quart, htmx, SQLModel)."""
