"""Which files may be attached to evidence, recognised by their first bytes.

Photos, scans, documents, audio and video recordings only. The type a browser or client
declares is a hint; the content decides: a program renamed ``photo.jpg`` starts with
``MZ``, not with a JPEG marker, and is refused. The table is small on purpose; each entry
is the published signature of its format.
"""

from __future__ import annotations

from dataclasses import dataclass

#: How many bytes of a file are read to recognise it.
HEAD_BYTES = 64

#: Declared types that say nothing (the content decides alone).
GENERIC = frozenset({"", "application/octet-stream", "binary/octet-stream"})


@dataclass(frozen=True)
class FileType:
    """An allowed type: its canonical MIME type, a short name and what clients call it."""

    mime: str
    name: str
    aliases: frozenset[str] = frozenset()


TYPES: dict[str, FileType] = {
    t.mime: t
    for t in (
        FileType("image/jpeg", "JPEG", frozenset({"image/jpg", "image/pjpeg"})),
        FileType("image/png", "PNG", frozenset({"image/x-png"})),
        FileType("image/tiff", "TIFF", frozenset({"image/tif", "image/x-tiff"})),
        FileType("image/heic", "HEIC", frozenset({"image/heic-sequence"})),
        FileType("image/heif", "HEIF", frozenset({"image/heif-sequence"})),
        FileType("image/webp", "WebP"),
        FileType("application/pdf", "PDF", frozenset({"application/x-pdf"})),
        FileType("audio/mpeg", "MP3", frozenset({"audio/mp3", "audio/mpeg3", "audio/x-mpeg"})),
        FileType("audio/wav", "WAV", frozenset({"audio/x-wav", "audio/wave", "audio/vnd.wave"})),
        FileType("audio/ogg", "OGG", frozenset({"application/ogg", "audio/opus", "video/ogg"})),
        FileType("audio/mp4", "M4A", frozenset({"audio/x-m4a", "audio/m4a", "audio/aac"})),
        FileType("audio/amr", "AMR"),
        FileType("audio/flac", "FLAC", frozenset({"audio/x-flac"})),
        FileType("video/mp4", "MP4", frozenset({"video/x-m4v"})),
        FileType("video/quicktime", "MOV"),
        FileType("video/3gpp", "3GP", frozenset({"audio/3gpp", "video/3gpp2", "audio/3gpp2"})),
        FileType("video/webm", "WebM", frozenset({"audio/webm"})),
        FileType("video/x-matroska", "MKV", frozenset({"video/mkv", "audio/x-matroska"})),
        FileType("video/x-msvideo", "AVI", frozenset({"video/avi", "video/msvideo"})),
    )
}

#: Every declared type that names an allowed type.
DECLARABLE = frozenset(
    {t.mime for t in TYPES.values()} | {a for t in TYPES.values() for a in t.aliases}
)

#: The allowed formats as a person reads them.
NAMES = ", ".join(t.name for t in TYPES.values())

_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"}
_HEIF_BRANDS = {b"mif1", b"msf1"}
_M4A_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
_MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso3",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"dash",
    b"M4V ",
    b"M4VH",
    b"M4VP",
    b"MSNV",
    b"NDAS",
    b"F4V ",
    b"mmp4",
}


def _iso_media(brand: bytes) -> str | None:
    """The type of an ISO base media file (``ftyp`` box) by its major brand."""
    if brand in _HEIC_BRANDS:
        return "image/heic"
    if brand in _HEIF_BRANDS:
        return "image/heif"
    if brand in _M4A_BRANDS:
        return "audio/mp4"
    if brand == b"qt  ":
        return "video/quicktime"
    if brand.startswith(b"3g"):
        return "video/3gpp"
    if brand in _MP4_BRANDS:
        return "video/mp4"
    return None


def _mp3_frame(head: bytes) -> bool:
    """An MPEG audio layer III frame header (an MP3 without an ID3 tag)."""
    if len(head) < 3 or head[0] != 0xFF:
        return False
    b1, b2 = head[1], head[2]
    sync = b1 & 0xE0 == 0xE0
    layer3 = b1 & 0x06 == 0x02
    version_ok = b1 & 0x18 != 0x08
    bitrate_ok = b2 & 0xF0 != 0xF0
    return sync and layer3 and version_ok and bitrate_ok


def sniff(head: bytes) -> str | None:
    """The allowed MIME type the bytes ``head`` (a file's start) belong to, or None."""
    simple = (
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"II*\x00", "image/tiff"),
        (b"MM\x00*", "image/tiff"),
        (b"%PDF-", "application/pdf"),
        (b"ID3", "audio/mpeg"),
        (b"OggS", "audio/ogg"),
        (b"fLaC", "audio/flac"),
        (b"#!AMR", "audio/amr"),
    )
    for magic, mime in simple:
        if head.startswith(magic):
            return mime
    if head.startswith(b"RIFF") and len(head) >= 12:
        return {b"WAVE": "audio/wav", b"WEBP": "image/webp", b"AVI ": "video/x-msvideo"}.get(
            head[8:12]
        )
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _iso_media(head[8:12])
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: the doc type tells WebM from Matroska
        if b"webm" in head:
            return "video/webm"
        if b"matroska" in head:
            return "video/x-matroska"
        return None
    if _mp3_frame(head):
        return "audio/mpeg"
    return None


def normalise(declared: str) -> str:
    """A declared Content-Type without parameters, in lower case."""
    return declared.split(";", 1)[0].strip().lower()
