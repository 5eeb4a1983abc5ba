"""Feeds and calendars: a deal's history as Atom (per deal and per topic) and its dates as iCalendar, served on the
app's one HTTP server (:mod:`bot.feeds.routes`). They show only what every channel may see."""
