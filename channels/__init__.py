"""Messaging channels (Telegram, Slack, Twilio SMS and WhatsApp, Facebook Messenger): docs/channels.md."""
