"""The vocabulary every other package shares: the project's error types (`Problem`, with a
stable code, an exact location and a Chinese and English message), the one text normaliser
(`text`), reporting periods (`periods`), the one label catalogue in Chinese and English
(`labels`) and the Arrow file writer the caches use. It may import only the standard library
and third-party packages, never another package of `lib`.
"""
