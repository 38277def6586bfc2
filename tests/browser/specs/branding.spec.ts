/** The commune's branding comes from /commune.json, fetched at start. */
import { expect, test } from '@playwright/test';

import { COMMUNE } from './helpers';

const cssVar = (name: string) => `getComputedStyle(document.documentElement).getPropertyValue('${name}').trim()`;

test('the default commune.json names the commune and sets the colours', async ({ page }) => {
  await page.goto('/');
  const brand = page.getByRole('banner').getByRole('link', { name: new RegExp(COMMUNE) });
  await expect(brand).toBeVisible();
  await expect(brand.locator('img')).toHaveAttribute('src', '/logo.svg');
  expect(await page.evaluate(cssVar('--color-primary'))).toBe('#1f4e8c');
  // The commune's name after "de", as French says it.
  await expect(page.getByRole('main')).toContainText('Le Portail Citoyen de la mairie de Villebois vous permet');
  await page.getByRole('link', { name: 'Nous contacter' }).first().click();
  await expect(page.locator('address')).toContainText('Villebois');
});

test("a commune's own commune.json replaces name, logo and colours; the contact is the server's", async ({ page }) => {
  // The file a commune drops beside the app (or in marelle's data folder).
  await page.route('**/commune.json', (route) =>
    route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify({
        name: 'Mairie de Testville',
        short_name: 'Testville',
        logo: '/favicon.svg',
        colors: { primary: '#6a1b4d', accent: '#005f5f', nope: 'url(javascript:alert(1))' },
        radius: '0px',
        contact: 'Mairie de Testville\nTéléphone : 01 02 03 04 05',
      }),
    }),
  );
  // The contact is the commune's configured one, as at the foot of the e-mails.
  const info = await (await page.request.get('/api/commune')).json();
  expect(info.contact).toContain('Téléphone');
  await page.goto('/nous-contacter');
  await expect(page.getByRole('banner')).toContainText('Mairie de Testville');
  await expect(page.getByRole('banner').locator('img')).toHaveAttribute('src', '/favicon.svg');
  await expect(page).toHaveTitle('Nous contacter – Portail Citoyen – Mairie de Testville');
  await expect(page.locator('address')).toContainText(info.contact.split('\n')[0]);
  await expect(page.locator('address')).not.toContainText('01 02 03 04 05');
  expect(await page.evaluate(cssVar('--color-primary'))).toBe('#6a1b4d');
  expect(await page.evaluate(cssVar('--color-accent'))).toBe('#005f5f');
  expect(await page.evaluate(cssVar('--radius'))).toBe('0px');
  // Not a colour: ignored.
  expect(await page.evaluate(cssVar('--color-nope'))).toBe('');
});
