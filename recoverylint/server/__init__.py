"""`recoverylint server`: the language server.  `documents` and `names` hold
what a document version is (its check, the names it writes, where) with no
protocol types; the other modules answer the protocol's requests from them,
one feature each, and `app` registers them."""
