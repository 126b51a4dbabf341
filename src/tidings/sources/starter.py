"""Major world news feeds offered on the first-run screen.

The operator chooses; none is added by itself.
"""

STARTER_SOURCES: list[dict[str, str]] = [
    {
        "name": "BBC News — World",
        "url": "https://feeds.bbci.co.uk/news/world/rss.xml",
        "section": "World News",
    },
    {
        "name": "The Guardian — World",
        "url": "https://www.theguardian.com/world/rss",
        "section": "World News",
    },
    {
        "name": "Al Jazeera — All news",
        "url": "https://www.aljazeera.com/xml/rss/all.xml",
        "section": "World News",
    },
    {"name": "NPR — News", "url": "https://feeds.npr.org/1001/rss.xml", "section": "World News"},
    {
        "name": "Deutsche Welle — Top stories",
        "url": "https://rss.dw.com/rdf/rss-en-top",
        "section": "World News",
    },
    {
        "name": "France 24 — International",
        "url": "https://www.france24.com/en/rss",
        "section": "World News",
    },
    {
        "name": "The Hindu — International",
        "url": "https://www.thehindu.com/news/international/feeder/default.rss",
        "section": "World News",
    },
    {
        "name": "BBC News — Business",
        "url": "https://feeds.bbci.co.uk/news/business/rss.xml",
        "section": "Business",
    },
    {
        "name": "BBC News — Technology",
        "url": "https://feeds.bbci.co.uk/news/technology/rss.xml",
        "section": "Technology",
    },
    {"name": "BBC Sport", "url": "https://feeds.bbci.co.uk/sport/rss.xml", "section": "Sport"},
    {
        "name": "NASA — Breaking news",
        "url": "https://www.nasa.gov/news-release/feed/",
        "section": "Science",
    },
]
