import type { Random } from '../random.js';

/**
 * Synthetic person names: first and family names drawn independently from short lists, so
 * any resemblance of a combination to a real person is chance. Nationalities are ISO 3166
 * alpha-3 codes, weighted roughly like recent border encounters.
 */

const HISPANIC_FIRST = [
  'Ana', 'Carlos', 'María', 'José', 'Lucía', 'Jorge', 'Rosa', 'Luis', 'Elena', 'Miguel', 'Carmen', 'Andrés',
  'Gabriela', 'Mateo', 'Paola', 'Diego', 'Marisol', 'Héctor', 'Yesenia', 'Óscar', 'Daniela', 'Fernando',
  'Valeria', 'Ramón', 'Inés', 'Wilmer', 'Brenda', 'Edgar', 'Karla', 'Nelson', 'Dulce', 'Santiago',
];
const HISPANIC_LAST = [
  'García', 'López', 'Hernández', 'Martínez', 'Cruz', 'Ramírez', 'Flores', 'Morales', 'Reyes', 'Ortega',
  'Castillo', 'Mendoza', 'Vargas', 'Aguilar', 'Rojas', 'Chávez', 'Juárez', 'Salazar', 'Molina', 'Pineda',
  'Cabrera', 'Escobar', 'Villalobos', 'Quiñónez', 'Arévalo', 'Zelaya', 'Barrios', 'Cifuentes',
];
const HAITIAN_FIRST = ['Jean', 'Marie', 'Wilner', 'Fabiola', 'Jacques', 'Nadège', 'Ricardo', 'Guerline', 'Stanley', 'Rose-Merline'];
const HAITIAN_LAST = ['Pierre', 'Joseph', 'Louis', 'Célestin', 'Dorvil', 'Baptiste', 'Étienne', 'Augustin', 'Noël', 'Charles'];
const INDIAN_FIRST = ['Harpreet', 'Gurpreet', 'Amandeep', 'Priya', 'Rahul', 'Simran', 'Vikram', 'Navjot'];
const INDIAN_LAST = ['Singh', 'Kaur', 'Patel', 'Sharma', 'Gill', 'Sandhu', 'Desai', 'Brar'];
const CHINESE_FIRST = ['Wei', 'Jing', 'Hao', 'Xiu', 'Lei', 'Mei', 'Jun', 'Yan'];
const CHINESE_LAST = ['Chen', 'Lin', 'Zhang', 'Liu', 'Wang', 'Huang', 'Zhou', 'Wu'];
const BRAZILIAN_FIRST = ['João', 'Ana', 'Thiago', 'Larissa', 'Rafael', 'Juliana', 'Bruno', 'Camila'];
const BRAZILIAN_LAST = ['Silva', 'Souza', 'Oliveira', 'Santos', 'Pereira', 'Costa', 'Almeida', 'Ferreira'];
const US_FIRST = ['Cody', 'Brittany', 'Travis', 'Ashley', 'Dustin', 'Kayla', 'Ray', 'Amber', 'Jesse', 'Crystal', 'Mario', 'Vanessa'];
const US_LAST = ['Miller', 'Johnson', 'Davis', 'Ortiz', 'Wilson', 'Ruiz', 'Thompson', 'Lopez', 'Walker', 'Garza'];

const NATIONALITY_WEIGHTS = {
  MEX: 30, GTM: 15, HND: 14, SLV: 8, VEN: 7, ECU: 6, COL: 5, CUB: 4, NIC: 3, HTI: 3, IND: 2, BRA: 2, CHN: 1,
} as const;
export type Nationality = keyof typeof NATIONALITY_WEIGHTS | 'USA';

export const drawNationality = (random: Random): Nationality => random.weighted(NATIONALITY_WEIGHTS);

function lists(nationality: Nationality): readonly [readonly string[], readonly string[]] {
  switch (nationality) {
    case 'HTI':
      return [HAITIAN_FIRST, HAITIAN_LAST];
    case 'IND':
      return [INDIAN_FIRST, INDIAN_LAST];
    case 'CHN':
      return [CHINESE_FIRST, CHINESE_LAST];
    case 'BRA':
      return [BRAZILIAN_FIRST, BRAZILIAN_LAST];
    case 'USA':
      return [US_FIRST, US_LAST];
    default:
      return [HISPANIC_FIRST, HISPANIC_LAST];
  }
}

/** A full name in the naming custom of the nationality (two family names where customary). */
export function drawName(random: Random, nationality: Nationality): string {
  const [first, last] = lists(nationality);
  const given = random.pick(first);
  const family = random.pick(last);
  const hispanic = first === HISPANIC_FIRST;
  return hispanic && random.chance(0.6) ? `${given} ${family} ${random.pick(last)}` : `${given} ${family}`;
}

/**
 * A-numbers are `A` + 9 digits. Multiplying the person's ordinal by a number coprime to
 * 10^8 permutes the ordinals, so numbers look scattered yet never collide.
 */
export function aNumberFor(ordinal: number): string {
  const scattered = (ordinal * 7_919 + 4_321) % 100_000_000;
  return `A2${String(scattered).padStart(8, '0')}`;
}
