"""Retrieval: fuse BM25 and dense rankings, apply places and filters, compose cited answers.

Entry points: ``Retriever.load(index_dir).search(question, k, filters) -> list[Hit]`` and
``retrieval.answer.compose(retrieval, data) -> Answer``.
"""
