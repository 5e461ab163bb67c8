"""The web chat: a page at `/`, an embeddable widget (`/widget.js`), and their API additions.

No build step and no third-party requests: plain HTML, CSS and JavaScript under `static/`.
"""
