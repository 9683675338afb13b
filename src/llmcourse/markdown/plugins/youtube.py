"""YouTube links -> light embeds: a thumbnail, a title and a play button, no player.

A YouTube ``<iframe>`` costs a lecture page about 1 MB of script and a dozen requests to
youtube.com before the student even decides to watch; lectures hold ten or more. The light
embed is a plain link to the video (so it works without JavaScript) showing the video's
thumbnail from i.ytimg.com, loaded lazily. ``media.js`` swaps in the youtube-nocookie player
(autoplay) on click, so nothing is requested from youtube.com before that click.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qs, urlsplit

_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com",
                    "youtube-nocookie.com", "www.youtube-nocookie.com"})
_PATH_PREFIXES = ("/embed/", "/shorts/", "/live/", "/v/")
# t=90, t=90s, t=1m30s, t=1h2m3s
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")


@dataclass(frozen=True)
class YouTubeVideo:
    id: str
    start: int = 0  # seconds
    playlist: str = ""

    @property
    def watch_url(self) -> str:
        url = f"https://www.youtube.com/watch?v={self.id}"
        if self.start:
            url += f"&t={self.start}s"
        if self.playlist:
            url += f"&list={self.playlist}"
        return url

    @property
    def player_url(self) -> str:
        url = f"https://www.youtube-nocookie.com/embed/{self.id}?autoplay=1"
        if self.start:
            url += f"&start={self.start}"
        if self.playlist:
            url += f"&list={self.playlist}"
        return url

    @property
    def thumbnail_url(self) -> str:
        return f"https://i.ytimg.com/vi/{self.id}/hqdefault.jpg"


def _seconds(value: str) -> int:
    match = _DURATION.match(value.strip())
    if not match:
        return 0
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def parse_youtube(url: str) -> YouTubeVideo | None:
    """A YouTube watch, short, embed or youtu.be URL -> the video; anything else -> None."""
    if "youtu" not in url:
        return None
    url = url.strip().replace("&amp;", "&")
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    query = parse_qs(parts.query)
    video_id = ""
    if host in ("youtu.be", "www.youtu.be"):
        video_id = parts.path.strip("/").split("/")[0]
    elif host in _HOSTS:
        if parts.path == "/watch":
            video_id = query.get("v", [""])[0]
        else:
            for prefix in _PATH_PREFIXES:
                if parts.path.startswith(prefix):
                    video_id = parts.path[len(prefix):].split("/")[0]
    if not _ID.match(video_id):
        return None
    start = query.get("start", query.get("t", ["0"]))[0]
    if not start and "t=" in parts.fragment:
        start = parts.fragment.split("t=", 1)[1]
    playlist = query.get("list", [""])[0]
    return YouTubeVideo(video_id, _seconds(start),
                        playlist if re.fullmatch(r"[A-Za-z0-9_-]+", playlist) else "")


def light_embed(video: YouTubeVideo, title: str = "") -> str:
    """Phrasing content only (``<span>``, ``<a>``, ``<img>``), so it is valid wherever the
    original iframe stood: in a paragraph, a table cell or on its own."""
    label = title.strip() or "YouTube video"
    text = escape(label)
    return (
        f'<span class="yt-embed" data-yt-id="{video.id}">'
        f'<a class="yt-embed-link" href="{escape(video.watch_url)}" '
        f'data-yt-player="{escape(video.player_url)}">'
        f'<img class="yt-embed-thumb" src="{video.thumbnail_url}" alt="" width="480" '
        f'height="360" loading="lazy" decoding="async">'
        f'<span class="visually-hidden">Play video: </span>'
        f'<span class="yt-embed-title">{text}</span>'
        '<span class="yt-embed-play" aria-hidden="true"></span></a></span>'
    )
