"""markdown-it-py plugins in the mdit-py-plugins style: ``xxx_plugin(md, **options) -> None``."""
