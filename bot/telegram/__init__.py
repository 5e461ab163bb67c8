"""The Telegram channel (python-telegram-bot): polling, webhook, commands, buttons, /xoa.

`app.build_application` wires the Application over the core; `webhook.feature` plugs it
into `childsafe serve` (webhook route, or polling beside the web app); `cli` adds
`childsafe telegram`.
"""
