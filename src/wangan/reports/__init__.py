"""Documents rendered from domain models: the same HTML for the web page, the downloaded file and the
PDF, so what a user prints, files or exports through the API or the CLI is one document.

Sits between the adapters and the domains: web, API and CLI import it; it imports domain models only
to read them."""
