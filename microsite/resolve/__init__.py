"""Pass 2: every reference cross-checked; what each page shows; quotations against excerpts."""
