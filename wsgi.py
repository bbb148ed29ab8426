"""WSGI entry point: gunicorn wsgi:app."""

from warehouse import create_app

app = create_app()
