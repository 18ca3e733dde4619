const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

export interface RedocPageOptions {
  title: string;
  specUrl: string;
  scriptUrl: string;
}

export const redocPage = ({ title, specUrl, scriptUrl }: RedocPageOptions): string => `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)}</title>
  <style>body { margin: 0; padding: 0; }</style>
</head>
<body>
  <redoc spec-url="${escapeHtml(specUrl)}"></redoc>
  <script src="${escapeHtml(scriptUrl)}"></script>
</body>
</html>
`;
