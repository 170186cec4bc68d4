import { validate } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { IsInt, IsString } from 'class-validator';
import { apiTokenHash, bearerToken, newApiToken } from './api-token';
import { IsResidentIdNumber, residentIdCheckChar } from '@yipanqi/contracts';
import { validationProblem } from './problem-details.filter';
import { ProblemError } from './problem';

class Sample {
  @IsString()
  name!: string;

  @IsInt()
  count!: number;
}

class Person {
  @IsResidentIdNumber()
  idNumber!: string;

  @IsString()
  name!: string;
}

async function problemFor(body: object) {
  const errors = await validate(plainToInstance(Person, body), {
    whitelist: true,
    forbidNonWhitelisted: true,
  });
  return validationProblem(errors).toProblem();
}

const first17 = '44130219900307123';
const validId = first17 + residentIdCheckChar(first17);
const wrongCheck = first17 + (validId[17] === '0' ? '1' : '0');

describe('validation problems', () => {
  it('name a bad check character specifically, without echoing the number', async () => {
    const problem = await problemFor({ idNumber: wrongCheck, name: 'x' });
    expect(problem.code).toBe('ID_NUMBER_CHECK_DIGIT');
    expect(JSON.stringify(problem)).not.toContain(first17);
  });

  it('name an impossible birth date specifically', async () => {
    const id17 = '44130219900230123'; // 30 February
    const problem = await problemFor({ idNumber: id17 + residentIdCheckChar(id17), name: 'x' });
    expect(problem.code).toBe('ID_NUMBER_BIRTH_DATE');
  });

  it('name unknown fields specifically', async () => {
    const problem = await problemFor({ idNumber: validId, name: 'x', extra: 1 });
    expect(problem.code).toBe('UNKNOWN_FIELD');
  });

  it('fall back to VALIDATION_FAILED when findings differ, each finding keeping its code', async () => {
    const problem = await problemFor({ idNumber: wrongCheck, name: 7 });
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors).toEqual([
      expect.objectContaining({ field: 'idNumber', code: 'ID_NUMBER_CHECK_DIGIT' }),
      expect.objectContaining({ field: 'name', code: 'INVALID' }),
    ]);
  });
});

describe('bearer tokens', () => {
  it('are long random secrets, different every time', () => {
    const a = newApiToken();
    expect(a).toMatch(/^yq_[A-Za-z0-9_-]{43}$/);
    expect(newApiToken()).not.toBe(a);
  });

  it('are stored as a hash that does not reveal them', () => {
    const token = newApiToken();
    expect(apiTokenHash(token)).toBe(apiTokenHash(token));
    expect(apiTokenHash(token)).not.toContain(token.slice(3, 20));
  });

  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc ', 'abc'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    ['Bearer a b', undefined],
    [undefined, undefined],
  ])('reads %j as %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('problems', () => {
  it('carry a stable code and type', () => {
    const problem = new ProblemError(
      404,
      'TOKEN_NOT_FOUND',
      'No such token',
      'no token x',
    ).toProblem();
    expect(problem).toEqual({
      type: 'urn:yipanqi:problem:TOKEN_NOT_FOUND',
      title: 'No such token',
      status: 404,
      code: 'TOKEN_NOT_FOUND',
      detail: 'no token x',
    });
  });

  it('list every field a validation failure found', async () => {
    const dto = plainToInstance(Sample, { name: 7, count: 'x', extra: true });
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    const problem = validationProblem(errors).toProblem();
    expect(problem.status).toBe(400);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(['count', 'extra', 'name']);
  });
});
