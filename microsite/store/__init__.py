"""What a build keeps for the next, on disk: sealed caches, input digests by stat, narratives'
texts. Every pass may use it; it uses none of them."""
