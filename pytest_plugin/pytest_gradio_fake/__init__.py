"""pytest integration for gradio-fake (registered through the ``pytest11`` entry point)."""
