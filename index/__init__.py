"""Ingestion and index building: reports -> clean text -> passages -> FAISS + BM25 on disk."""
