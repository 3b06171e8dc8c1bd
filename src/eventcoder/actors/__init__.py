"""Actors: the knowledge base and the resolver that codes mentions."""

from eventcoder.actors.kb import KnowledgeBase, build_kb, load_kb
from eventcoder.actors.resolver import DocumentActors

__all__ = ["DocumentActors", "KnowledgeBase", "build_kb", "load_kb"]
