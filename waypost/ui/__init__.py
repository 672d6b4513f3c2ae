"""The web UI: static HTML, CSS and JavaScript modules served by ``waypost serve`` at ``/``."""
